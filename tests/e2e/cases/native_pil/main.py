# Pillow: PNG (zlib), JPEG (libjpeg), drawing, and its C core.
import io

from PIL import Image, ImageDraw

img = Image.new("RGB", (64, 32), (255, 0, 0))
ImageDraw.Draw(img).rectangle([8, 8, 24, 24], fill=(0, 0, 255))
for fmt in ("PNG", "JPEG", "WEBP", "TIFF"):
    buf = io.BytesIO()
    img.save(buf, fmt)
    back = Image.open(io.BytesIO(buf.getvalue()))
    back.load()
    print(fmt, back.size, back.mode)
print(img.getpixel((10, 10)), img.getpixel((40, 10)))
print(img.resize((8, 4)).getpixel((0, 0)))
