name_in_sibling = 1
