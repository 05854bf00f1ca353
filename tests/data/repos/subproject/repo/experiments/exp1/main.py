import helper_mod
