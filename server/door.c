//  door - the children's connections counted against the descriptor budget.
//
//  The count comes from the ROUTER's monitor: ACCEPTED and DISCONNECTED
//  events carry the connection's descriptor, so a table indexed by it says
//  which are held. A connection past the budget is refused with
//  shutdown(2), not close(2): the descriptor stays libzmq's, which sees the
//  end of the stream, closes it and reports DISCONNECTED as for any peer.
//  Events are read in order and the shutdowns made after the batch, and
//  only for descriptors still held then, so a number reused within the
//  batch is not mistaken for the connection that had it before.

#include "door.h"

#include "mutsync/log.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <zmq.h>

#define EVENTS_PER_CALL 256  //  events read per ms_door_handle

struct ms_door {
    void *monitor;                //  PAIR: the ROUTER's connection events
    uint64_t limit;               //  RLIMIT_NOFILE (soft) in force
    size_t budget;                //  connections allowed at once
    size_t held;                  //  connections open now
    size_t fd_count;              //  entries in held_fds
    uint8_t *held_fds;            //  1 where a connection holds that descriptor
    int refuse[EVENTS_PER_CALL];  //  descriptors to shut down after a batch
    size_t refuse_count;          //
    uint64_t refused;             //  connections refused since the last line
    int64_t last_line_ms;         //  when a line was last written
    bool exhausted;               //  accept() failed for want of descriptors since then
};

//  Descriptors open in this process now; 0 when /proc cannot say.
static size_t open_descriptors(void)
{
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        return 0;
    size_t count = 0;
    for (struct dirent *entry; (entry = readdir(dir));)
        if (entry->d_name[0] != '.')
            count++;
    closedir(dir);
    return count ? count - 1 : 0;  //  less the directory's own
}

static uint64_t descriptor_limit(void)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 1024;
    if (limit.rlim_cur < limit.rlim_max) {
        struct rlimit raised = {.rlim_cur = limit.rlim_max, .rlim_max = limit.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
    }
    return limit.rlim_cur == RLIM_INFINITY ? MS_DOOR_FDS_MAX : (uint64_t)limit.rlim_cur;
}

int ms_door_open(void *zctx, void *router, ms_door_t **door_p, ms_error_t *err)
{
    *door_p = NULL;
    ms_door_t *self = calloc(1, sizeof *self);
    if (!self)
        return ms_error_set(err, MS_ENOMEM, "link", "no memory to count connections");
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "inproc://ms-door-%p", (void *)self);
    int linger = 0;
    if (zmq_socket_monitor(router, endpoint,
                           ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_ACCEPT_FAILED) !=
            0 ||
        !(self->monitor = zmq_socket(zctx, ZMQ_PAIR)) ||
        zmq_setsockopt(self->monitor, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_connect(self->monitor, endpoint) != 0) {
        int rc = ms_error_set(err, MS_ENET, "link", "cannot watch the connections: %s",
                              zmq_strerror(zmq_errno()));
        ms_door_close(&self);
        return rc;
    }
    self->limit = descriptor_limit();
    self->fd_count = self->limit < MS_DOOR_FDS_MAX ? (size_t)self->limit : MS_DOOR_FDS_MAX;
    size_t used = open_descriptors() + MS_DOOR_HEADROOM;
    self->budget = self->fd_count > used ? self->fd_count - used : 1;
    self->held_fds = calloc(self->fd_count, 1);
    if (!self->held_fds) {
        ms_door_close(&self);
        return ms_error_set(err, MS_ENOMEM, "link", "no memory to count connections");
    }
    self->last_line_ms = INT64_MIN / 2;
    ms_log(MS_LOG_INFO, "link", "up to %zu connections at once (file descriptor limit %llu)",
           self->budget, (unsigned long long)self->limit);
    *door_p = self;
    return 0;
}

void ms_door_close(ms_door_t **door_p)
{
    if (!door_p || !*door_p)
        return;
    ms_door_t *self = *door_p;
    if (self->monitor)
        zmq_close(self->monitor);
    free(self->held_fds);
    free(self);
    *door_p = NULL;
}

void *ms_door_socket(ms_door_t *self)
{
    return self->monitor;
}

//  Reads one event: its number and value (a descriptor or an errno).
//  Returns false when none is waiting.
static bool read_event(void *monitor, uint16_t *event, uint32_t *value)
{
    zmq_msg_t head, address;
    zmq_msg_init(&head);
    if (zmq_msg_recv(&head, monitor, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&head);
        return false;
    }
    *event = 0;
    *value = 0;
    if (zmq_msg_size(&head) >= 6) {
        memcpy(event, zmq_msg_data(&head), sizeof *event);
        memcpy(value, (const uint8_t *)zmq_msg_data(&head) + 2, sizeof *value);
    }
    if (zmq_msg_more(&head)) {
        zmq_msg_init(&address);
        (void)zmq_msg_recv(&address, monitor, 0);
        zmq_msg_close(&address);
    }
    zmq_msg_close(&head);
    return true;
}

static void note_refusal(ms_door_t *self, int64_t now_ms)
{
    if (!self->refused && !self->exhausted && now_ms - self->last_line_ms >= MS_DOOR_LOG_MS) {
        ms_log(MS_LOG_WARN, "link",
               "%zu connections, past the %zu that %llu file descriptors allow: refusing new ones "
               "until "
               "some close (raise LimitNOFILE=; refusals are summed up every %d s)",
               self->held, self->budget, (unsigned long long)self->limit, MS_DOOR_LOG_MS / 1000);
        self->last_line_ms = now_ms;
    }
    self->refused++;
}

static void accepted(ms_door_t *self, uint32_t fd, int64_t now_ms)
{
    if (fd >= self->fd_count || self->held_fds[fd])
        return;
    self->held_fds[fd] = 1;
    self->held++;
    if (self->held > self->budget && self->refuse_count < EVENTS_PER_CALL) {
        self->refuse[self->refuse_count++] = (int)fd;
        note_refusal(self, now_ms);
    }
}

static void disconnected(ms_door_t *self, uint32_t fd)
{
    if (fd < self->fd_count && self->held_fds[fd]) {
        self->held_fds[fd] = 0;
        self->held--;
    }
}

//  accept() found no descriptor left although the budget said there was:
//  something else holds more than the headroom. The budget shrinks to what
//  is held, less a margin, and the newest connections (the highest
//  descriptors) past it go.
static void exhausted(ms_door_t *self, int64_t now_ms)
{
    if (!self->exhausted && now_ms - self->last_line_ms >= MS_DOOR_LOG_MS) {
        ms_log(MS_LOG_WARN, "link",
               "out of file descriptors at %zu connections (limit %llu): refusing new ones until "
               "some close (raise LimitNOFILE=)",
               self->held, (unsigned long long)self->limit);
        self->last_line_ms = now_ms;
    }
    self->exhausted = true;
    size_t margin = MS_DOOR_HEADROOM / 4;
    self->budget = self->held > margin + 1 ? self->held - margin : 1;
    for (size_t fd = self->fd_count; fd-- > 0 && self->refuse_count < EVENTS_PER_CALL;) {
        if (!self->held_fds[fd])
            continue;
        if (self->held - self->refuse_count <= self->budget)
            break;
        self->refuse[self->refuse_count++] = (int)fd;
        self->refused++;
    }
}

void ms_door_handle(ms_door_t *self, int64_t now_ms)
{
    self->refuse_count = 0;
    bool out_of_fds = false;
    for (int i = 0; i < EVENTS_PER_CALL; i++) {
        uint16_t event;
        uint32_t value;
        if (!read_event(self->monitor, &event, &value))
            break;
        if (event == ZMQ_EVENT_ACCEPTED)
            accepted(self, value, now_ms);
        else if (event == ZMQ_EVENT_DISCONNECTED)
            disconnected(self, value);
        else if (event == ZMQ_EVENT_ACCEPT_FAILED && (value == EMFILE || value == ENFILE))
            out_of_fds = true;
    }
    if (out_of_fds)
        exhausted(self, now_ms);
    for (size_t i = 0; i < self->refuse_count; i++)
        if (self->held_fds[self->refuse[i]])
            (void)shutdown(self->refuse[i], SHUT_RDWR);
}

int64_t ms_door_tick(ms_door_t *self, int64_t now_ms, bool final)
{
    if (!self->refused)
        return INT64_MAX;
    int64_t since_ms = now_ms - self->last_line_ms;
    if (!final && since_ms < MS_DOOR_LOG_MS)
        return self->last_line_ms + MS_DOOR_LOG_MS;
    ms_log(MS_LOG_WARN, "link",
           "refused %llu connections past the file descriptor budget (%zu) in the last %lld s",
           (unsigned long long)self->refused, self->budget, (long long)((since_ms + 999) / 1000));
    self->refused = 0;
    self->exhausted = false;
    self->last_line_ms = now_ms;
    return INT64_MAX;
}

size_t ms_door_connections(const ms_door_t *self)
{
    return self->held;
}

size_t ms_door_budget(const ms_door_t *self)
{
    return self->budget;
}
