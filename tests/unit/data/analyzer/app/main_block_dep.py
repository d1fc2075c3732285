VALUE = 'main_block_dep'
