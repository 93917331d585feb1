package org.gridmeter.server.http;

import java.util.List;
import java.util.Locale;

/**
 * The language of the texts in an answer: Brazilian Portuguese, the API's own, or English for a
 * client that prefers it ({@code Accept-Language: en}).
 */
public enum Language {
    PT("pt-BR"),
    EN("en");

    private static final List<String> OFFERED = List.of("pt-BR", "pt", "en");

    private final String tag;

    Language(String tag) {
        this.tag = tag;
    }

    /** The {@code Content-Language} of an answer in this language. */
    public String tag() {
        return tag;
    }

    /** The language an {@code Accept-Language} header asks for, among those offered; Portuguese if none. */
    public static Language of(String acceptLanguage) {
        if (acceptLanguage == null || acceptLanguage.isBlank()) {
            return PT;
        }
        try {
            String tag = Locale.lookupTag(Locale.LanguageRange.parse(acceptLanguage), OFFERED);
            return tag != null && tag.startsWith("en") ? EN : PT;
        } catch (IllegalArgumentException malformed) {
            return PT;
        }
    }
}
