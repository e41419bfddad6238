# Empty dependencies file for comb.
# This may be replaced when dependencies are built.
