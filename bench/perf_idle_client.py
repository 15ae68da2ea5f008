#!/usr/bin/env python3
"""Opens COUNT keep-alive connections to HOST:PORT, makes one GET on each, reads the whole response and then keeps
every connection open and silent until its standard input closes (bench/perf.sh, mode idle). Source addresses are
spread over 127.0.0.2.. so that a count above one address's ephemeral ports still fits.
Prints 'ready opened=N failed=M' once all connections are idle."""
import asyncio
import sys


async def one(host, port, src, gate, conns):
    async with gate:
        try:
            reader, writer = await asyncio.open_connection(host, port, local_addr=(src, 0))
            writer.write(b"GET / HTTP/1.1\r\nHost: perf.example.com\r\nUser-Agent: perf-idle\r\n\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise IOError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            conns.append(writer)
            return True
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
            print("connection failed: %r" % e, file=sys.stderr)
            return False


async def main():
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    gate = asyncio.Semaphore(200)  # connects in flight: a burst of 10,000 SYNs would overflow accept queues
    conns = []
    results = await asyncio.gather(*(one(host, port, "127.0.0.%d" % (2 + i % 200), gate, conns) for i in range(count)))
    print("ready opened=%d failed=%d" % (sum(results), count - sum(results)), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for w in conns:
        w.close()


asyncio.run(main())
