/* Linux calls that Glibc's Swift module leaves out. */
#include <stdio.h>

/* <stdio.h> declares it only under _GNU_SOURCE, which the Glibc module is built without. */
int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);
