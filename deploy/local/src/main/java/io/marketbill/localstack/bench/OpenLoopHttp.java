package io.marketbill.localstack.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * A fixed-rate HTTP/1.1 load generator on one thread: non-blocking keep-alive connections, one request in flight on
 * each, requests encoded before they are due, responses parsed in place (status line, Content-Length or chunked).
 * Latency runs from each request's intended send time, so a request that waits for a free connection, or for the
 * generator itself, is counted as late (no coordinated omission).
 *
 * <p>Why not an HTTP client library: on this 2-core machine the generator shares the CPU with the system it
 * measures. The reactor-netty client cost about 0.65 of a core at 5,000 requests/s; every cycle it spends is taken
 * from the gateway and the broker and shows up in their latency.
 */
final class OpenLoopHttp implements AutoCloseable {

    /** What a finished request looked like; {@code body} is only looked at, not kept. */
    interface Check {
        boolean good(int status, byte[] buffer, int bodyStart, int bodyEnd);
    }

    interface Requests {
        /** The path and query of request {@code i}, due at {@code intended} ({@link System#nanoTime()}). */
        String pathAndQuery(long i, long intended);
    }

    /** {@code slowSeconds}: the wall-clock seconds in which some request took over 25 ms, with their worst one. */
    record Result(long sent, long ok, long failed, double seconds, Histogram latency, String slowSeconds) {
    }

    private final InetSocketAddress address;
    private final String host;
    private final int connections;
    private final Selector selector;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();

    OpenLoopHttp(String baseUrl, int connections) throws IOException {
        URI uri = URI.create(baseUrl);
        this.address = new InetSocketAddress(uri.getHost(), uri.getPort());
        this.host = uri.getHost() + ":" + uri.getPort();
        this.connections = connections;
        this.selector = Selector.open();
    }

    private final class Connection {
        final SocketChannel channel;
        final SelectionKey key;
        ByteBuffer out;
        final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        long intended;

        Connection() throws IOException {
            channel = SocketChannel.open(address);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            key = channel.register(selector, SelectionKey.OP_READ, this);
        }

        void send(byte[] request, long intendedAt) throws IOException {
            intended = intendedAt;
            in.clear();
            out = ByteBuffer.wrap(request);
            channel.write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        /** The body's end once a whole response is in {@code in}, else -1; {@code bodyStart[0]} gets its start. */
        int complete(int[] bodyStart) {
            byte[] b = in.array();
            int n = in.position();
            int headersEnd = indexOf(b, 0, n, CRLFCRLF);
            if (headersEnd < 0) {
                return -1;
            }
            int start = headersEnd + 4;
            bodyStart[0] = start;
            String headers = new String(b, 0, headersEnd, StandardCharsets.ISO_8859_1).toLowerCase();
            int cl = headers.indexOf("\r\ncontent-length:");
            if (cl >= 0) {
                int eol = headers.indexOf("\r\n", cl + 2);
                int length = Integer.parseInt(headers.substring(cl + 17, eol < 0 ? headers.length() : eol).trim());
                return n >= start + length ? start + length : -1;
            }
            if (headers.contains("\r\ntransfer-encoding: chunked")) {
                int end = indexOf(b, start, n, LAST_CHUNK);
                return end < 0 ? -1 : end + LAST_CHUNK.length;
            }
            return start; // no body
        }
    }

    private static final byte[] CRLFCRLF = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    static int indexOf(byte[] b, int from, int to, byte[] what) {
        outer:
        for (int i = from; i <= to - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    byte[] encode(String pathAndQuery) {
        return ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: */*\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Sends {@code rate} requests per second for {@code seconds}, each encoded by {@code requests} shortly before it
     * is due, and waits for the last answer (at most 60 s).
     */
    Result run(int rate, int seconds, Requests requests, Check check) throws IOException {
        while (selector.keys().size() < connections) {
            idle.add(new Connection());
        }
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        ArrayDeque<long[]> waiting = new ArrayDeque<>(); // {index, intended} of requests due with no free connection
        long total = (long) rate * seconds;
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long next = 0;
        long ok = 0;
        long failed = 0;
        long done = 0;
        int[] bodyStart = new int[1];
        long[] worstPerSecond = new long[seconds + 61];
        long wallStart = System.currentTimeMillis();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds + 60L);
        while (done < total) {
            long now = System.nanoTime();
            if (now > deadline) {
                failed += total - done;
                break;
            }
            while (next < total && start + next * interval <= now) {
                long intended = start + next * interval;
                if (idle.isEmpty()) {
                    waiting.add(new long[] {next, intended});
                } else {
                    idle.poll().send(encode(requests.pathAndQuery(next, intended)), intended);
                }
                next++;
            }
            long wait = next < total ? start + next * interval - System.nanoTime() : TimeUnit.MILLISECONDS.toNanos(10);
            if (wait >= 1_000_000) {
                selector.select(wait / 1_000_000);
            } else {
                if (selector.selectNow() == 0 && wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
            }
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                Connection c = (Connection) key.attachment();
                try {
                    if (key.isValid() && key.isWritable()) {
                        c.channel.write(c.out);
                        if (!c.out.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    }
                    if (!key.isValid() || !key.isReadable()) {
                        continue;
                    }
                    if (!c.in.hasRemaining() || c.channel.read(c.in) < 0) {
                        throw new IOException("connection closed by the server");
                    }
                    int end = c.complete(bodyStart);
                    if (end < 0) {
                        continue;
                    }
                    long latency = System.nanoTime() - c.intended;
                    int second = (int) ((c.intended - start) / 1_000_000_000L);
                    worstPerSecond[second] = Math.max(worstPerSecond[second], latency);
                    h.recordValue(Math.min(latency, h.getHighestTrackableValue()));
                    byte[] b = c.in.array();
                    int status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
                    if (check.good(status, b, bodyStart[0], end)) {
                        ok++;
                    } else {
                        failed++;
                    }
                    done++;
                    next(c, waiting, requests);
                } catch (IOException | RuntimeException e) {
                    // the request in flight is lost; a new connection takes this one's place
                    h.recordValue(Math.min(System.nanoTime() - c.intended, h.getHighestTrackableValue()));
                    failed++;
                    done++;
                    key.cancel();
                    c.channel.close();
                    next(new Connection(), waiting, requests);
                }
            }
        }
        StringBuilder slow = new StringBuilder();
        for (int i = 0; i < worstPerSecond.length; i++) {
            if (worstPerSecond[i] > 25_000_000) {
                slow.append(String.format(" %s=%dms", java.time.Instant.ofEpochMilli(wallStart + i * 1000L).toString()
                        .substring(11, 19), worstPerSecond[i] / 1_000_000));
            }
        }
        return new Result(total, ok, failed, (System.nanoTime() - start) / 1e9, h, slow.toString());
    }

    private void next(Connection c, ArrayDeque<long[]> waiting, Requests requests) throws IOException {
        long[] w = waiting.poll();
        if (w == null) {
            idle.add(c);
        } else {
            c.send(encode(requests.pathAndQuery(w[0], w[1])), w[1]);
        }
    }

    @Override
    public void close() throws IOException {
        for (SelectionKey k : selector.keys()) {
            k.channel().close();
        }
        selector.close();
    }
}
