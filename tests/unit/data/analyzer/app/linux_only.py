VALUE = 'linux_only'
