VALUE = 'win_only'
