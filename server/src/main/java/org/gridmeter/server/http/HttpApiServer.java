package org.gridmeter.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.gridmeter.server.net.Transport;
import org.gridmeter.server.metrics.ServerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side: binds the TCP port and gives every connection its pipeline: idle timeout, Netty's
 * codec with the documented limits, the connection guard (cap, idle close), the aggregator (64 KiB
 * bodies), our router, and the catch-all.
 */
public final class HttpApiServer implements AutoCloseable {

    /** The documented limits. */
    static final int MAX_REQUEST_LINE = 4096;
    static final int MAX_HEADERS = 8192;
    static final int MAX_BODY = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(HttpApiServer.class);

    private final Transport transport;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ConnectionGuard guard;
    private final RouterHandler router;
    private final CatchAllHandler catchAll = new CatchAllHandler();
    private final Duration idleTimeout;
    private Channel channel;

    public HttpApiServer(Transport transport, Router router, ReadAuth auth, Executor blocking, ServerMetrics metrics,
            int maxConnections, Duration idleTimeout, int httpRate, int maxStreamsPerClient,
            java.util.function.LongSupplier nanoTime) {
        this.transport = transport;
        this.boss = transport.group(1, "gridmeter-http-accept");
        this.workers = transport.group(Math.max(1, Runtime.getRuntime().availableProcessors()), "gridmeter-http");
        this.guard = new ConnectionGuard(maxConnections);
        this.router = new RouterHandler(router, auth, blocking, metrics,
                new ClientLimits(httpRate, maxStreamsPerClient, nanoTime));
        this.idleTimeout = idleTimeout;
        metrics.gauge("gridmeter.http.connections.open", "Open HTTP connections", guard::open);
    }

    public InetSocketAddress start(String bind, int port) throws InterruptedException {
        channel = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        // reader idle only: tracking writes too would hang a listener on every response
                        p.addLast(new IdleStateHandler(idleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
                        p.addLast(new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADERS, MAX_BODY));
                        p.addLast(guard);
                        p.addLast(new JsonObjectAggregator(MAX_BODY));
                        p.addLast(router);
                        p.addLast(catchAll);
                    }
                })
                .bind(bind, port).sync().channel();
        log.info("event=http_bound address={} transport={}", channel.localAddress(), transport);
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
