// libinotifytools has no pkg-config file; <sys/inotify.h> must come first.
#include <sys/inotify.h>
#include <inotifytools/inotifytools.h>
