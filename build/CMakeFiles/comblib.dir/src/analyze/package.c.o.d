CMakeFiles/comblib.dir/src/analyze/package.c.o: \
 /work/main/src/analyze/package.c /usr/include/stdc-predef.h \
 /work/main/src/analyze/package.h \
 /usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h
