package org.gridmeter.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/** Netty's aggregator, answering a body over the limit with the documented JSON 413 and closing. */
final class JsonObjectAggregator extends HttpObjectAggregator {

    private final int maxContentLength;

    JsonObjectAggregator(int maxContentLength) {
        super(maxContentLength);
        this.maxContentLength = maxContentLength;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ResponseWriter.write(ctx, ErrorBody.response(413, "corpo_grande_demais",
                "O corpo da requisição passa de " + maxContentLength / 1024 + " KiB.",
                "The request body is over " + maxContentLength / 1024 + " KiB.",
                Language.of(oversized.headers().get(io.netty.handler.codec.http.HttpHeaderNames.ACCEPT_LANGUAGE))),
                false);
    }
}
