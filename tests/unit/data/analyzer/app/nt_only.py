VALUE = 'nt_only'
