VALUE = 'dyn_target'
