#!/usr/bin/env python3
"""zmtp_count - a TCP relay that counts the bytes of each ZMTP 3 connection.

    zmtp_count.py LISTEN_PORT TARGET_PORT OUT_FILE

Relays 127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT and, when a connection
closes, appends one line to OUT_FILE:

    conn=N up=BYTES down=BYTES handshake=BYTES messages=BYTES frames_up=N frames_down=N

handshake counts the greetings and the CurveZMQ HELLO, WELCOME, INITIATE and
READY commands; messages counts the MESSAGE commands (sync messages and
heartbeats, encrypted). up is child to parent. Used by bench_sync.sh only.
"""
import asyncio
import sys

HANDSHAKE = {b"HELLO", b"WELCOME", b"INITIATE", b"READY", b"ERROR"}


class Meter:
    def __init__(self):
        self.buf = bytearray()
        self.greeting = 64
        self.total = self.handshake = self.messages = self.frames = 0

    def feed(self, data):
        self.total += len(data)
        if self.greeting:
            used = min(self.greeting, len(data))
            self.greeting -= used
            self.handshake += used
            data = data[used:]
        self.buf += data
        while True:
            if len(self.buf) < 2:
                return
            flags = self.buf[0]
            if flags & 2:
                if len(self.buf) < 9:
                    return
                size, head = int.from_bytes(self.buf[1:9], "big"), 9
            else:
                size, head = self.buf[1], 2
            if flags & 4 and len(self.buf) < head + 1 + min(size, 9):
                return
            name = bytes(self.buf[head + 1:head + 1 + self.buf[head]]) if flags & 4 else b""
            take = head + size
            if len(self.buf) < take:
                # count what is there and wait for the rest without buffering it all
                return
            if name in HANDSHAKE:
                self.handshake += take
            else:
                self.messages += take
            self.frames += 1
            del self.buf[:take]


async def pipe(reader, writer, meter):
    try:
        while True:
            data = await reader.read(1 << 16)
            if not data:
                break
            meter.feed(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def main():
    listen, target, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    count = 0

    async def handle(client_reader, client_writer):
        nonlocal count
        count += 1
        number = count
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            client_writer.close()
            return
        up, down = Meter(), Meter()
        await asyncio.gather(pipe(client_reader, server_writer, up),
                             pipe(server_reader, client_writer, down))
        with open(out, "a") as f:
            f.write("conn=%d up=%d down=%d handshake=%d messages=%d frames_up=%d frames_down=%d\n"
                    % (number, up.total, down.total, up.handshake + down.handshake,
                       up.messages + down.messages, up.frames, down.frames))

    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    async with server:
        await server.serve_forever()


asyncio.run(main())
