VALUE = 'dyn_target2'
