//  notify - tells systemd how mutsyncd is doing (Type=notify units), through
//  sd_notify(3) of libsystemd. Outside systemd ($NOTIFY_SOCKET unset) every
//  call does nothing and returns 0.

#ifndef MS_NOTIFY_H
#define MS_NOTIFY_H

//  Sends READY=1 with STATUS (a short text for `systemctl status`): call it
//  once the node listens, so units ordered after mutsyncd start only then.
//  Returns 1 when told, 0 outside systemd, or a negative errno.
int ms_notify_ready(const char *status);

//  Sends STOPPING=1: the node has begun to stop. Returns as ms_notify_ready.
int ms_notify_stopping(void);

#endif
