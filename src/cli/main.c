#include <stdio.h>
int main(void) { puts("comb"); return 0; }
