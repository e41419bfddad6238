
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/analyze/apk.c" "CMakeFiles/comblib.dir/src/analyze/apk.c.o" "gcc" "CMakeFiles/comblib.dir/src/analyze/apk.c.o.d"
  "/work/main/src/analyze/cargo.c" "CMakeFiles/comblib.dir/src/analyze/cargo.c.o" "gcc" "CMakeFiles/comblib.dir/src/analyze/cargo.c.o.d"
  "/work/main/src/analyze/composer.c" "CMakeFiles/comblib.dir/src/analyze/composer.c.o" "gcc" "CMakeFiles/comblib.dir/src/analyze/composer.c.o.d"
  "/work/main/src/analyze/dpkg.c" "CMakeFiles/comblib.dir/src/analyze/dpkg.c.o" "gcc" "CMakeFiles/comblib.dir/src/analyze/dpkg.c.o.d"
  "/work/main/src/analyze/elf.c" "CMakeFiles/comblib.dir/src/analyze/elf.c.o" "gcc" "CMakeFiles/comblib.dir/src/analyze/elf.c.o.d"
  "/work/main/src/analyze/emit.c" "CMakeFiles/comblib.dir/src/analyze/emit.c.o" "gcc" "CMakeFiles/comblib.dir/src/analyze/emit.c.o.d"
  "/work/main/src/analyze/java.c" "CMakeFiles/comblib.dir/src/analyze/java.c.o" "gcc" "CMakeFiles/comblib.dir/src/analyze/java.c.o.d"
  "/work/main/src/analyze/node.c" "CMakeFiles/comblib.dir/src/analyze/node.c.o" "gcc" "CMakeFiles/comblib.dir/src/analyze/node.c.o.d"
  "/work/main/src/analyze/os.c" "CMakeFiles/comblib.dir/src/analyze/os.c.o" "gcc" "CMakeFiles/comblib.dir/src/analyze/os.c.o.d"
  "/work/main/src/analyze/package.c" "CMakeFiles/comblib.dir/src/analyze/package.c.o" "gcc" "CMakeFiles/comblib.dir/src/analyze/package.c.o.d"
  "/work/main/src/analyze/python.c" "CMakeFiles/comblib.dir/src/analyze/python.c.o" "gcc" "CMakeFiles/comblib.dir/src/analyze/python.c.o.d"
  "/work/main/src/analyze/registry.c" "CMakeFiles/comblib.dir/src/analyze/registry.c.o" "gcc" "CMakeFiles/comblib.dir/src/analyze/registry.c.o.d"
  "/work/main/src/analyze/rpm.c" "CMakeFiles/comblib.dir/src/analyze/rpm.c.o" "gcc" "CMakeFiles/comblib.dir/src/analyze/rpm.c.o.d"
  "/work/main/src/analyze/ruby.c" "CMakeFiles/comblib.dir/src/analyze/ruby.c.o" "gcc" "CMakeFiles/comblib.dir/src/analyze/ruby.c.o.d"
  "/work/main/src/core/arena.c" "CMakeFiles/comblib.dir/src/core/arena.c.o" "gcc" "CMakeFiles/comblib.dir/src/core/arena.c.o.d"
  "/work/main/src/core/error.c" "CMakeFiles/comblib.dir/src/core/error.c.o" "gcc" "CMakeFiles/comblib.dir/src/core/error.c.o.d"
  "/work/main/src/report/cyclonedx.c" "CMakeFiles/comblib.dir/src/report/cyclonedx.c.o" "gcc" "CMakeFiles/comblib.dir/src/report/cyclonedx.c.o.d"
  "/work/main/src/report/spdx.c" "CMakeFiles/comblib.dir/src/report/spdx.c.o" "gcc" "CMakeFiles/comblib.dir/src/report/spdx.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
