package org.gridmeter.server.http;

/** A sentence for people, in Brazilian Portuguese and in English. */
public record Text(String pt, String en) {

    public static Text of(String pt, String en) {
        return new Text(pt, en);
    }

    public String in(Language language) {
        return language == Language.EN ? en : pt;
    }
}
