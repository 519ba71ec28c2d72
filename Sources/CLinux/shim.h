/* Linux calls that Glibc's Swift module leaves out. */
#include <stdio.h>
#include <sys/xattr.h>  /* the tests set attributes as an uploader would */

/* <stdio.h> declares it only under _GNU_SOURCE, which the Glibc module is built without. */
int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

/* <pthread.h> declares it only under _GNU_SOURCE: names the daemon's own threads (top -H, gdb). */
int pthread_setname_np(unsigned long thread, const char *name);
