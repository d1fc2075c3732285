LOADED = "grp_pkg"
