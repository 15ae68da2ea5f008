#!/usr/bin/env python3
"""A tiny HTTP/1.1 origin for bench/perf.sh's upload measurement: reads each request body (Content-Length or
chunked) into one reused buffer and drops it, then answers 200 with the byte count. Nothing is stored, and big
recv_into calls keep it cheap, so it does not bottleneck the core it shares with the client."""
import socket
import sys
import threading


class Conn:
    def __init__(self, sock):
        self.sock, self.pending, self.scratch = sock, b"", bytearray(1 << 20)

    def until(self, mark):
        while mark not in self.pending:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.pending += data
        found, self.pending = self.pending.split(mark, 1)
        return found

    def skip(self, n):  # drops n bytes: what is buffered first, then straight from the socket into the scratch buffer
        take = min(n, len(self.pending))
        self.pending, n = self.pending[take:], n - take
        view = memoryview(self.scratch)
        while n:
            got = self.sock.recv_into(view, min(len(self.scratch), n))
            if not got:
                raise EOFError
            n -= got


def serve(sock):
    c = Conn(sock)
    try:
        while True:
            lines = c.until(b"\r\n\r\n").split(b"\r\n")
            fields = {k.strip().lower(): v.strip() for k, _, v in (l.partition(b":") for l in lines[1:])}
            got = 0
            if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
                while True:
                    size = int(c.until(b"\r\n").split(b";")[0], 16)
                    c.skip(size)
                    got += size
                    if size == 0:
                        c.until(b"\r\n")  # no trailers expected: the empty line ending the body
                        break
                    c.skip(2)
            else:
                got = int(fields.get(b"content-length", b"0"))
                c.skip(got)
            body = b"%d\n" % got
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    except (OSError, EOFError, ValueError):
        pass
    finally:
        sock.close()


def main():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", int(sys.argv[1])))
    srv.listen(128)
    while True:
        sock, _ = srv.accept()
        threading.Thread(target=serve, args=(sock,), daemon=True).start()


main()
