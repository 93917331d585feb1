package org.gridmeter.server.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last in the pipeline: drops whatever reached the end unhandled and closes connections whose
 * I/O failed (a client that reset the connection is routine, so it is logged at debug only).
 */
@Sharable
final class CatchAllHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(CatchAllHandler.class);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("event=http_connection_error remote={} detail=\"{}\"", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("event=http_pipeline_error remote={}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
