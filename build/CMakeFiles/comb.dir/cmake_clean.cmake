file(REMOVE_RECURSE
  "CMakeFiles/comb.dir/src/cli/main.c.o"
  "CMakeFiles/comb.dir/src/cli/main.c.o.d"
  "comb"
  "comb.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/comb.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
