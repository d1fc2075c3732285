import asyncio


async def worker(name, delay, log):
    await asyncio.sleep(delay)
    log.append(name)
    return name.upper()


async def main():
    log = []
    results = await asyncio.gather(
        worker("c", 0.03, log), worker("a", 0.01, log), worker("b", 0.02, log)
    )
    q = asyncio.Queue()
    for i in range(3):
        q.put_nowait(i * i)
    total = 0
    while not q.empty():
        total += await q.get()
    print(results, log, total)


asyncio.run(main())
