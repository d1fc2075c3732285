VALUE = 'typing_only_mod'
