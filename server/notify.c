//  notify - sd_notify(3) for mutsyncd. The messages are those of
//  sd_notify(3): READY=1 once listening, STOPPING=1 at shutdown, STATUS=
//  for people. The environment is kept ($NOTIFY_SOCKET stays set), so a
//  later STOPPING=1 reaches systemd too.

#include "notify.h"

#include <stdio.h>
#include <systemd/sd-daemon.h>

int ms_notify_ready(const char *status)
{
    return sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

int ms_notify_stopping(void)
{
    return sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}
