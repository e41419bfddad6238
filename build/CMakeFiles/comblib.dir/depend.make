# Empty dependencies file for comblib.
# This may be replaced when dependencies are built.
