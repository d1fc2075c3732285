VALUE = 'linux_only2'
