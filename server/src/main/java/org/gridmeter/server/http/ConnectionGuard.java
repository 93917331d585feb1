package org.gridmeter.server.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First in every connection's pipeline: refuses connections beyond the cap with a 503, and closes
 * connections idle past the timeout (signalled by the {@code IdleStateHandler} before it).
 */
@Sharable
final class ConnectionGuard extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);

    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionGuard(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    int open() {
        return open.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (open.incrementAndGet() > maxConnections) {
            log.warn("event=http_connection_refused open={} max={}", open.get() - 1, maxConnections);
            ResponseWriter.write(ctx, ErrorBody.response(503, "muitas_conexoes",
                    "O servidor já tem " + maxConnections + " conexões abertas; tente de novo em instantes.",
                    "The server has " + maxConnections + " open connections already; retry in a moment.",
                    Language.PT), false); // before any request: its language is not known
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        open.decrementAndGet();
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
