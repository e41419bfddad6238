file(REMOVE_RECURSE
  "libcomblib.a"
)
