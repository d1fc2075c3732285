VALUE = 'py2_only'
