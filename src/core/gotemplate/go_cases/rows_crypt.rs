//! Go's output for ESO's `rsaDecrypt` and sprig's `decryptAES`, once refused here.

/// (template, Go's bytes).
pub const ROWS: &[super::Row] = &[
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA1\" (.ct1 | b64dec) .rsa8 }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct256 | b64dec) .rsa8 }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA512\" (.ct512 | b64dec) .rsa8 }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"None\" (.ct256 | b64dec) .rsa8 }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"MD5\" (.ct256 | b64dec) .rsa8 }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ctpkcs1 | b64dec) .rsa8 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct1 | b64dec) .rsa8 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA1\" (.ct1 | b64dec) .rsa1 }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct256 | b64dec) .rsa1 }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA512\" (.ct512 | b64dec) .rsa1 }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"None\" (.ct256 | b64dec) .rsa1 }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"MD5\" (.ct256 | b64dec) .rsa1 }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ctpkcs1 | b64dec) .rsa1 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct1 | b64dec) .rsa1 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA1\" (.ct1 | b64dec) .ec8 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct256 | b64dec) .ec8 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA512\" (.ct512 | b64dec) .ec8 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"None\" (.ct256 | b64dec) .ec8 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"MD5\" (.ct256 | b64dec) .ec8 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ctpkcs1 | b64dec) .ec8 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct1 | b64dec) .ec8 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA1\" (.ct1 | b64dec) .ec1 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct256 | b64dec) .ec1 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA512\" (.ct512 | b64dec) .ec1 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"None\" (.ct256 | b64dec) .ec1 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"MD5\" (.ct256 | b64dec) .ec1 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ctpkcs1 | b64dec) .ec1 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct1 | b64dec) .ec1 }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA1\" (.ct1 | b64dec) .cert }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct256 | b64dec) .cert }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA512\" (.ct512 | b64dec) .cert }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"None\" (.ct256 | b64dec) .cert }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"MD5\" (.ct256 | b64dec) .cert }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ctpkcs1 | b64dec) .cert }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct1 | b64dec) .cert }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA1\" (.ct1 | b64dec) .junkkey }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct256 | b64dec) .junkkey }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA512\" (.ct512 | b64dec) .junkkey }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"None\" (.ct256 | b64dec) .junkkey }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"MD5\" (.ct256 | b64dec) .junkkey }}",
        Some(b"top secret \xc3\xa9"),
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ctpkcs1 | b64dec) .junkkey }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct1 | b64dec) .junkkey }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA1\" (.ct1 | b64dec) .gluedkey }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct256 | b64dec) .gluedkey }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA512\" (.ct512 | b64dec) .gluedkey }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"None\" (.ct256 | b64dec) .gluedkey }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"MD5\" (.ct256 | b64dec) .gluedkey }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ctpkcs1 | b64dec) .gluedkey }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct1 | b64dec) .gluedkey }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA1\" (.ct1 | b64dec) .other }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct256 | b64dec) .other }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA512\" (.ct512 | b64dec) .other }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"None\" (.ct256 | b64dec) .other }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"MD5\" (.ct256 | b64dec) .other }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ctpkcs1 | b64dec) .other }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct1 | b64dec) .other }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA1\" (.ct1 | b64dec) .nopem }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct256 | b64dec) .nopem }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA512\" (.ct512 | b64dec) .nopem }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"None\" (.ct256 | b64dec) .nopem }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"MD5\" (.ct256 | b64dec) .nopem }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ctpkcs1 | b64dec) .nopem }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct1 | b64dec) .nopem }}",
        None,
    ),
    (
        "{{ rsaDecrypt \"None\" \"SHA1\" \"plain\" \"\" }}",
        Some(b"plain"),
    ),
    ("{{ rsaDecrypt \"RSA-PKCS1\" \"SHA1\" \"x\" .rsa8 }}", None),
    ("{{ rsaDecrypt \"RSA-OAEP\" \"SHA1\" \"\" .rsa8 }}", None),
    (
        "{{ rsaDecrypt \"RSA-OAEP\" \"SHA256\" (.ct256 | b64dec) .rsa8 | b64enc }}",
        Some(b"dG9wIHNlY3JldCDDqQ=="),
    ),
    ("{{ decryptAES .pw .aes1 }}", Some(b"hello world")),
    ("{{ decryptAES .longpw .aes1 }}", None),
    ("{{ decryptAES .empty .aes1 }}", None),
    ("{{ decryptAES .pw .aes2 }}", None),
    ("{{ decryptAES .longpw .aes2 }}", Some(b"x")),
    ("{{ decryptAES .empty .aes2 }}", None),
    ("{{ decryptAES .pw .aes3 }}", Some(b"")),
    ("{{ decryptAES .longpw .aes3 }}", Some(b"")),
    ("{{ decryptAES .empty .aes3 }}", Some(b"")),
    ("{{ decryptAES .pw .aes4 }}", Some(b"exactly16bytes!!")),
    ("{{ decryptAES .longpw .aes4 }}", None),
    ("{{ decryptAES .empty .aes4 }}", None),
    (
        "{{ decryptAES .pw .aes5 }}",
        Some(b"\xc3\xbcn\xc3\xafcode \xe2\x98\x83"),
    ),
    ("{{ decryptAES .longpw .aes5 }}", None),
    ("{{ decryptAES .empty .aes5 }}", None),
    ("{{ decryptAES \"\" \"\" }}", Some(b"")),
    ("{{ decryptAES \"pw\" \"not base64!\" }}", None),
    ("{{ decryptAES \"pw\" \"AAAA\" }}", None),
    ("{{ decryptAES \"pw\" \"AAAAAAAAAAAAAAAAAAAAAA==\" }}", None),
    (
        "{{ decryptAES \"pw\" \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\" }}",
        None,
    ),
    (
        "{{ decryptAES \"pw\" (printf \"%s%s\" .aes1 \"x\") }}",
        None,
    ),
    (
        "{{ decryptAES \"a-very-long-password-longer-than-32-bytes!!\" .aes2 }}",
        Some(b"x"),
    ),
    (
        "{{ decryptAES \"a-very-long-password-longer-than-32-bytes-DIFFERENT\" .aes2 }}",
        Some(b"x"),
    ),
];

/// The data these rows render with.
pub const DATA: &[(&str, &str)] = &[
    (
        "rsa8",
        "-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCsWdrif0gVSF4b\nCJepATsu6oVlpPUV8tnbLFB1ShNteYv6s3SjGv6eemH+/bi69QmB1R52Pq6/TAyP\nBtp3DgiE94A1/HmI4B/HqctOmn/+qEkl0GTPxPVtXbHgAkZDoETUDgBxGxvZbi46\nbh13w/hoROJAspG9CiBcYPV9IiQxCU5e7DxRN8sR2dIQsaFrVzRRPmXS6/A7ZOeB\np3eE3Tigtxqb/fWa4ApVUzMvVf5lKb28lkEby252qg+5iN8es7Z0fuG30PYP+O+w\n2lHsmEnfYq1e3gKeCv1ieK9msjoINKQwHtcQv5hvVoziQ4yNsne+WFrFAHeK6bYk\nhMwQYm5fAgMBAAECggEAVWJIlYgwGlcZQ/RMSi5xdws5XgNMZfzDYBkCnTC/Ei+y\noNdR09I2TSXdMZnZ8Ekf1iHSbwsbwGq5GAxxo6SgpNsGufgj76L1K5HbRkw1V+Bg\nKKsmnmX5np5Z1lvaGnumTZXIM0CWWfADV/AgiipcgK+LlTjCCbCgGpPwWndVDbM5\n0PAkx+0pM402hBKHTcYoEVOV/CaNwZy8hal+VICBfBrNFsbeJFlRPjHOFNeVKnwV\nDGTQ/QgDay2pm/yn2IFod+2h6OzkQxlX8XLGQleCBh4u3t+zc0uavZ+DGkNS8UeD\nYO9fgiIBqQwh8X4izzF38oBxQYCIjG8ppxefikxTvQKBgQDZS12o/Oo49xnT3HLr\n3uTdDp4SwBsmbrtfVkfmN4fa+xEFJOJHOs+5X80u9EBIVPI886WtlUY6RYvegMYZ\nM007XlXX9IkdrXDYC9iYOHNBpO24VSfRMbw83z89nee4U+gdn8oqx3ss7J6u4qXB\nBgeiUqX4Nfq3RfZD2R7q1h3ZUwKBgQDLDRFsEwFkARjw42nbFvmjNPTtEN0g9PIe\nTw1MLQ7sTFLOkoUfEzX5Lm2DJsGouMKwevXG+JoGK7FK/PPVbn69Fm97dxlk9ZIU\nAN/3B+MYs+GbIYb144yUl6jqBoaV1luSkqCPjs+nzScG+5Uqq10UmhWBv1qjdF5Y\nFFgUkPNZRQKBgQC2sIKiXWGfW0E/uox0ewX4RR3prdIl0dt/IE964x05ovSAWq5U\nLMIQnNcprvmM1r6DOGYHNwXAYFBkVeg3r8YzL/EEi/fsF7JUMkF8WZmtizjCTfYY\nD7SviRLmfyge9Yylu36B0Q1ii94uMyggzS0F8G7R7LBJ/mw6RwWTc0nNOQKBgHMT\nZupPIxygGph66gVG0hgS7TRluEzzRTy0JJ8lci2tW8jC9TsVUiN0kpAfqOWMQJpw\nNVackf4pSQNstGwjgSR80JWye+vh2PYJQOTpzWS0nYmjyK8WVRfpk8t+A0xr/d3l\nx6VUlI9PD20/q9xQ3iHM6Z9s6Vt1mfplHT4aoC/ZAoGBAI3zsoHkberNFHhFuH3m\nfDE2yoUSTmxQEdsJFm412YC7Xitbg2FaZiAUCDS4XLyJ1BNPHw1LDnXXT7+2rvgK\nmEaiVRGOt5EezsD1UrIIEOdFrmb02UFSVkqGbTnan0TBoz0OkGkL3t5D/rCCIPcA\nT46FizZSc4EA2fh5VrBjLSNb\n-----END PRIVATE KEY-----\n",
    ),
    (
        "rsa1",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEArFna4n9IFUheGwiXqQE7LuqFZaT1FfLZ2yxQdUoTbXmL+rN0\noxr+nnph/v24uvUJgdUedj6uv0wMjwbadw4IhPeANfx5iOAfx6nLTpp//qhJJdBk\nz8T1bV2x4AJGQ6BE1A4AcRsb2W4uOm4dd8P4aETiQLKRvQogXGD1fSIkMQlOXuw8\nUTfLEdnSELGha1c0UT5l0uvwO2Tngad3hN04oLcam/31muAKVVMzL1X+ZSm9vJZB\nG8tudqoPuYjfHrO2dH7ht9D2D/jvsNpR7JhJ32KtXt4Cngr9YnivZrI6CDSkMB7X\nEL+Yb1aM4kOMjbJ3vlhaxQB3ium2JITMEGJuXwIDAQABAoIBAFViSJWIMBpXGUP0\nTEoucXcLOV4DTGX8w2AZAp0wvxIvsqDXUdPSNk0l3TGZ2fBJH9Yh0m8LG8BquRgM\ncaOkoKTbBrn4I++i9SuR20ZMNVfgYCirJp5l+Z6eWdZb2hp7pk2VyDNAllnwA1fw\nIIoqXICvi5U4wgmwoBqT8Fp3VQ2zOdDwJMftKTONNoQSh03GKBFTlfwmjcGcvIWp\nflSAgXwazRbG3iRZUT4xzhTXlSp8FQxk0P0IA2stqZv8p9iBaHftoejs5EMZV/Fy\nxkJXggYeLt7fs3NLmr2fgxpDUvFHg2DvX4IiAakMIfF+Is8xd/KAcUGAiIxvKacX\nn4pMU70CgYEA2UtdqPzqOPcZ09xy697k3Q6eEsAbJm67X1ZH5jeH2vsRBSTiRzrP\nuV/NLvRASFTyPPOlrZVGOkWL3oDGGTNNO15V1/SJHa1w2AvYmDhzQaTtuFUn0TG8\nPN8/PZ3nuFPoHZ/KKsd7LOyeruKlwQYHolKl+DX6t0X2Q9ke6tYd2VMCgYEAyw0R\nbBMBZAEY8ONp2xb5ozT07RDdIPTyHk8NTC0O7ExSzpKFHxM1+S5tgybBqLjCsHr1\nxviaBiuxSvzz1W5+vRZve3cZZPWSFADf9wfjGLPhmyGG9eOMlJeo6gaGldZbkpKg\nj47Pp80nBvuVKqtdFJoVgb9ao3ReWBRYFJDzWUUCgYEAtrCCol1hn1tBP7qMdHsF\n+EUd6a3SJdHbfyBPeuMdOaL0gFquVCzCEJzXKa75jNa+gzhmBzcFwGBQZFXoN6/G\nMy/xBIv37BeyVDJBfFmZrYs4wk32GA+0r4kS5n8oHvWMpbt+gdENYoveLjMoIM0t\nBfBu0eywSf5sOkcFk3NJzTkCgYBzE2bqTyMcoBqYeuoFRtIYEu00ZbhM80U8tCSf\nJXItrVvIwvU7FVIjdJKQH6jljECacDVWnJH+KUkDbLRsI4EkfNCVsnvr4dj2CUDk\n6c1ktJ2Jo8ivFlUX6ZPLfgNMa/3d5celVJSPTw9tP6vcUN4hzOmfbOlbdZn6ZR0+\nGqAv2QKBgQCN87KB5G3qzRR4Rbh95nwxNsqFEk5sUBHbCRZuNdmAu14rW4NhWmYg\nFAg0uFy8idQTTx8NSw5110+/tq74CphGolURjreRHs7A9VKyCBDnRa5m9NlBUlZK\nhm052p9EwaM9DpBpC97eQ/6wgiD3AE+OhYs2UnOBANn4eVawYy0jWw==\n-----END RSA PRIVATE KEY-----\n",
    ),
    (
        "ec8",
        "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwOKJ9swDHvCUHQ+/\njdgmksKJoWL+OtD/T3vEi4e18jWhRANCAATmPcC3EFUm3XGsDf8kKTBeYd6GONtW\n9B1BpNP3TIWrqa4S0/K79+mdqIKfgP7Aq7u5ioOM3KRcazXSuOPRcp8L\n-----END PRIVATE KEY-----\n",
    ),
    (
        "ec1",
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIMDiifbMAx7wlB0Pv43YJpLCiaFi/jrQ/097xIuHtfI1oAoGCCqGSM49\nAwEHoUQDQgAE5j3AtxBVJt1xrA3/JCkwXmHehjjbVvQdQaTT90yFq6muEtPyu/fp\nnaiCn4D+wKu7uYqDjNykXGs10rjj0XKfCw==\n-----END EC PRIVATE KEY-----\n",
    ),
    (
        "cert",
        "-----BEGIN CERTIFICATE-----\nMIICxTCCAmygAwIBAgIUC1twJZFE0Nv3WIsi3FeXHJv/3TswCgYIKoZIzj0EAwIw\nDjEMMAoGA1UEAwwDaW50MB4XDTI2MTIwNzIzMTAxN1oXDTM2MTIwNDIzMTAxN1ow\nDzENMAsGA1UEAwwEbGVhZjCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEB\nAKFE9Z3FZJ/KXY138bvr59pA2FGJHLGWsmOhhV8Y0kyqZu46OiTEqwRUNW2E7Rgx\nyWpX+SXrpOhqEfNk6P4KBHQ4vI8pRvxU3zr1JJ6Rkt2bvoHwrKNZqPUuRgNi78UA\nrkeElVsIQEMbGAIe2sjC07mGdIjZ7fQUdWmwgcIg7qbArc4zW1zf4i5fM3t1fAHn\n8KHsm+sBhFvDkjQx3Ca+f/X+Yum7yRE4r/S1/VVrVKxbEEOmqCFQ9t8qYkwBYw4F\ndI7/skZvmefiynSLo8V/KdtSMyQkU4N1QZdNWWC0Ibg1gAy16uxf5W7bBastMUcW\nV3MZNfoUoYq7tGJnRv+w18cCAwEAAaOB2zCB2DAdBgNVHQ4EFgQU2O9lgjdN6WTs\nRAeJtUr07ucNfecwHwYDVR0jBBgwFoAUw1kpCCW8soXXyUIxJjomULTLDpIwgZUG\nA1UdEQSBjTCBioINYS5leGFtcGxlLmNvbYILKi5iLmV4YW1wbGWHBAoAAAGHECAB\nDbgAAAAAAAAAAAAAAAGHEAAAAAAAAAAAAAD//wECAwSBD29wc0BleGFtcGxlLmNv\nbYYgc3BpZmZlOi8vY2x1c3Rlci5sb2NhbC9ucy9hL3NhL2KGD2h0dHBzOi8vaC9w\nJTIwcTAKBggqhkjOPQQDAgNHADBEAiBnyMb1IjGdXAxyDBqjUOYhWKK2aGm/P3uL\nUuoabER3AQIgeYt0GnzWKAzrLZInkaSC9M2lqEkhvKCYWI3rX5WZJgM=\n-----END CERTIFICATE-----\n",
    ),
    (
        "junkkey",
        "junk\n-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCsWdrif0gVSF4b\nCJepATsu6oVlpPUV8tnbLFB1ShNteYv6s3SjGv6eemH+/bi69QmB1R52Pq6/TAyP\nBtp3DgiE94A1/HmI4B/HqctOmn/+qEkl0GTPxPVtXbHgAkZDoETUDgBxGxvZbi46\nbh13w/hoROJAspG9CiBcYPV9IiQxCU5e7DxRN8sR2dIQsaFrVzRRPmXS6/A7ZOeB\np3eE3Tigtxqb/fWa4ApVUzMvVf5lKb28lkEby252qg+5iN8es7Z0fuG30PYP+O+w\n2lHsmEnfYq1e3gKeCv1ieK9msjoINKQwHtcQv5hvVoziQ4yNsne+WFrFAHeK6bYk\nhMwQYm5fAgMBAAECggEAVWJIlYgwGlcZQ/RMSi5xdws5XgNMZfzDYBkCnTC/Ei+y\noNdR09I2TSXdMZnZ8Ekf1iHSbwsbwGq5GAxxo6SgpNsGufgj76L1K5HbRkw1V+Bg\nKKsmnmX5np5Z1lvaGnumTZXIM0CWWfADV/AgiipcgK+LlTjCCbCgGpPwWndVDbM5\n0PAkx+0pM402hBKHTcYoEVOV/CaNwZy8hal+VICBfBrNFsbeJFlRPjHOFNeVKnwV\nDGTQ/QgDay2pm/yn2IFod+2h6OzkQxlX8XLGQleCBh4u3t+zc0uavZ+DGkNS8UeD\nYO9fgiIBqQwh8X4izzF38oBxQYCIjG8ppxefikxTvQKBgQDZS12o/Oo49xnT3HLr\n3uTdDp4SwBsmbrtfVkfmN4fa+xEFJOJHOs+5X80u9EBIVPI886WtlUY6RYvegMYZ\nM007XlXX9IkdrXDYC9iYOHNBpO24VSfRMbw83z89nee4U+gdn8oqx3ss7J6u4qXB\nBgeiUqX4Nfq3RfZD2R7q1h3ZUwKBgQDLDRFsEwFkARjw42nbFvmjNPTtEN0g9PIe\nTw1MLQ7sTFLOkoUfEzX5Lm2DJsGouMKwevXG+JoGK7FK/PPVbn69Fm97dxlk9ZIU\nAN/3B+MYs+GbIYb144yUl6jqBoaV1luSkqCPjs+nzScG+5Uqq10UmhWBv1qjdF5Y\nFFgUkPNZRQKBgQC2sIKiXWGfW0E/uox0ewX4RR3prdIl0dt/IE964x05ovSAWq5U\nLMIQnNcprvmM1r6DOGYHNwXAYFBkVeg3r8YzL/EEi/fsF7JUMkF8WZmtizjCTfYY\nD7SviRLmfyge9Yylu36B0Q1ii94uMyggzS0F8G7R7LBJ/mw6RwWTc0nNOQKBgHMT\nZupPIxygGph66gVG0hgS7TRluEzzRTy0JJ8lci2tW8jC9TsVUiN0kpAfqOWMQJpw\nNVackf4pSQNstGwjgSR80JWye+vh2PYJQOTpzWS0nYmjyK8WVRfpk8t+A0xr/d3l\nx6VUlI9PD20/q9xQ3iHM6Z9s6Vt1mfplHT4aoC/ZAoGBAI3zsoHkberNFHhFuH3m\nfDE2yoUSTmxQEdsJFm412YC7Xitbg2FaZiAUCDS4XLyJ1BNPHw1LDnXXT7+2rvgK\nmEaiVRGOt5EezsD1UrIIEOdFrmb02UFSVkqGbTnan0TBoz0OkGkL3t5D/rCCIPcA\nT46FizZSc4EA2fh5VrBjLSNb\n-----END PRIVATE KEY-----\n",
    ),
    (
        "gluedkey",
        "junk-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCsWdrif0gVSF4b\nCJepATsu6oVlpPUV8tnbLFB1ShNteYv6s3SjGv6eemH+/bi69QmB1R52Pq6/TAyP\nBtp3DgiE94A1/HmI4B/HqctOmn/+qEkl0GTPxPVtXbHgAkZDoETUDgBxGxvZbi46\nbh13w/hoROJAspG9CiBcYPV9IiQxCU5e7DxRN8sR2dIQsaFrVzRRPmXS6/A7ZOeB\np3eE3Tigtxqb/fWa4ApVUzMvVf5lKb28lkEby252qg+5iN8es7Z0fuG30PYP+O+w\n2lHsmEnfYq1e3gKeCv1ieK9msjoINKQwHtcQv5hvVoziQ4yNsne+WFrFAHeK6bYk\nhMwQYm5fAgMBAAECggEAVWJIlYgwGlcZQ/RMSi5xdws5XgNMZfzDYBkCnTC/Ei+y\noNdR09I2TSXdMZnZ8Ekf1iHSbwsbwGq5GAxxo6SgpNsGufgj76L1K5HbRkw1V+Bg\nKKsmnmX5np5Z1lvaGnumTZXIM0CWWfADV/AgiipcgK+LlTjCCbCgGpPwWndVDbM5\n0PAkx+0pM402hBKHTcYoEVOV/CaNwZy8hal+VICBfBrNFsbeJFlRPjHOFNeVKnwV\nDGTQ/QgDay2pm/yn2IFod+2h6OzkQxlX8XLGQleCBh4u3t+zc0uavZ+DGkNS8UeD\nYO9fgiIBqQwh8X4izzF38oBxQYCIjG8ppxefikxTvQKBgQDZS12o/Oo49xnT3HLr\n3uTdDp4SwBsmbrtfVkfmN4fa+xEFJOJHOs+5X80u9EBIVPI886WtlUY6RYvegMYZ\nM007XlXX9IkdrXDYC9iYOHNBpO24VSfRMbw83z89nee4U+gdn8oqx3ss7J6u4qXB\nBgeiUqX4Nfq3RfZD2R7q1h3ZUwKBgQDLDRFsEwFkARjw42nbFvmjNPTtEN0g9PIe\nTw1MLQ7sTFLOkoUfEzX5Lm2DJsGouMKwevXG+JoGK7FK/PPVbn69Fm97dxlk9ZIU\nAN/3B+MYs+GbIYb144yUl6jqBoaV1luSkqCPjs+nzScG+5Uqq10UmhWBv1qjdF5Y\nFFgUkPNZRQKBgQC2sIKiXWGfW0E/uox0ewX4RR3prdIl0dt/IE964x05ovSAWq5U\nLMIQnNcprvmM1r6DOGYHNwXAYFBkVeg3r8YzL/EEi/fsF7JUMkF8WZmtizjCTfYY\nD7SviRLmfyge9Yylu36B0Q1ii94uMyggzS0F8G7R7LBJ/mw6RwWTc0nNOQKBgHMT\nZupPIxygGph66gVG0hgS7TRluEzzRTy0JJ8lci2tW8jC9TsVUiN0kpAfqOWMQJpw\nNVackf4pSQNstGwjgSR80JWye+vh2PYJQOTpzWS0nYmjyK8WVRfpk8t+A0xr/d3l\nx6VUlI9PD20/q9xQ3iHM6Z9s6Vt1mfplHT4aoC/ZAoGBAI3zsoHkberNFHhFuH3m\nfDE2yoUSTmxQEdsJFm412YC7Xitbg2FaZiAUCDS4XLyJ1BNPHw1LDnXXT7+2rvgK\nmEaiVRGOt5EezsD1UrIIEOdFrmb02UFSVkqGbTnan0TBoz0OkGkL3t5D/rCCIPcA\nT46FizZSc4EA2fh5VrBjLSNb\n-----END PRIVATE KEY-----\n",
    ),
    (
        "other",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQChRPWdxWSfyl2N\nd/G76+faQNhRiRyxlrJjoYVfGNJMqmbuOjokxKsEVDVthO0YMclqV/kl66ToahHz\nZOj+CgR0OLyPKUb8VN869SSekZLdm76B8KyjWaj1LkYDYu/FAK5HhJVbCEBDGxgC\nHtrIwtO5hnSI2e30FHVpsIHCIO6mwK3OM1tc3+IuXzN7dXwB5/Ch7JvrAYRbw5I0\nMdwmvn/1/mLpu8kROK/0tf1Va1SsWxBDpqghUPbfKmJMAWMOBXSO/7JGb5nn4sp0\ni6PFfynbUjMkJFODdUGXTVlgtCG4NYAMtersX+Vu2wWrLTFHFldzGTX6FKGKu7Ri\nZ0b/sNfHAgMBAAECggEAGX6wuGZ9B+iSwvX+rfoXcfY6ZyQeoydIawkdRUbD8wF6\nuu1S79PKQtRFNgaDrQWB6rafBBMCw7NbxHdkK3UjSx8FFY+C/LU2LTiVYh7Fcb9Y\nw2tsVM6shUZGz0DpguLJVTPCoNznETTL+4SBNf0xl5eH/h07HxEflrvOvQU+dUyp\nwPPx+Pf3xM2Mg2OVMFFwCk90k2wcKQr5769Ce2JaOvWvPkNAMrzicGHIv/r7BVdy\nnpz2kFPeQAxesAykmbrVUwnSuUhMnPD3OYvZzzS3Ehhw8WlCMsJKKEDhxc2ZGNJS\nJe0sasE6CiQQEoyYTmLWXBNWtHrns7s7u87dKDKCYQKBgQDPVPVy4IX/1U5nRsf1\nkm1maQHRtRJ3FEuM3+7ahOv0SleF9oZZTsSUR4UxvCq+Xu/O25ycRfUxcZPMHVLj\n97xNeO0EjC38EeFBmlffz4LlDG9uErzX1cpxtRl0UmUWRm+BmUdJ+zHB8XxUi+mU\n8RVbcRfzJ5UzXRn/INomPXGj2QKBgQDHIAA+tqYiRnwmVj8cnkMAiNJOZdGs1jmQ\nzWu48HVSCJeSUG5jJFK9E4dyKJH4Qbp03Xt/Jjtnoqn5H2UpOQ6M21pXEjHJ/BWg\ngsF6c2DHCWAd5EOyqdEro4gq7pkh60oUc77TN9b+4wk15GySwfQEv6kyKBDcsYEb\nB924hvQ0nwKBgQCXwqVjMAuFpzobiIjnLQZdFvHY8YSRm05t0KBCXVdlWmFUUo4m\nouxraSqKrCRRcqZwMPoivWZriapYlwJMkdLIloJPeNhUETZj0bkOvxMd24tY8+g8\nyGXF83ytU35g3q/SGkM/WNokD0IllMAmYI10gIS6XDfu/+/+eqqToRgkiQKBgCfS\nHHpuKFceZWF9Se29MIUA153Z+s5noOd2TR6U58FZ+oXGE+07rFgneaS4vEg7TMBm\nMnZA/QxCmV86ig5uXJyKmUxkVRShlumcfHiybh4fn9sadPdbwnrJn0eGo5UG6q+g\nXf77YcFjQcpHPfczVktE0N845/ZagQkYz5xBUMDdAoGAY4/Zk2NysxaWmrPLkaTM\nFAWt94sV29U43Jrm2dCa/c5cgcLuOYWa3eLBsZ4AcYwtym7ynv/dQjY/e00qfUQB\nvf2SDm/zoqCYCkZ1xLkvLdUbrA+aSeAM0bTTGGzrmTpw8ZQ+kraR0Vxz+w2fgvpB\ngubGFfV1z8tq927D/QIYogA=\n-----END PRIVATE KEY-----\n",
    ),
    (
        "ct1",
        "BaOaLk1TD6XbPjcY1h30jMOQ2mlmthA0c99n3EsKn3lM7ak50KL+oIrNibpoNHyWNoY8scms84RizthI+hyK/aS3P9C2k1i52yZQcLBmZL0nHaA8fRRgBdTDVcq5nx8vNZvitVWGk1HEpyMj+jYUn+xLbAmZac2/1x2+p6i2ckEUEKaAeWXllem/oMU9E2JLHi8WiFExAwHd4bkc8TJLPGhMBIDfpgiGN8h97myjlPqIwTjdiwH37XoXhEazV3pbOr7I3dm8Ui62jmmF/I2rvxTA2UWInMxJwYSmBR2IkQuoAwrWKvt1F9c+1r09ie1y3HJg3F8YL2VMllaoZPHXmg==",
    ),
    (
        "ct256",
        "klSmxfA8xgQYGdJgXkRaNCqsflcsRY/+iu+97LPEg3fGaS4a2/5Uqdz21+pm00GeD+xCQ84BwK2fscju50+MrQLUbMSClO2vNyzI5A/Uz6JM1B5hFYWZSPlpoKNKQ6tosZsJWgcagVip/JYjNCbGCZIeH+20B3a6HQQ+mVVmziP6AQ4OzxXvtYu4zUhvL+s6ps3b7UZ/ae6rA/gEpeu3asSC/EOiuZAUTd/DUdKLWPCHj9slXz3RtPBjraBpiXdJaP1JkqZNcmWPX1+rjxFDW9ny9O3uPCuZYVgKf0B1Zgf7zMPkTiPANhkFMF0ajHMcEbuTKJWAiSl1S8tS7dM3cg==",
    ),
    (
        "ct512",
        "G0dGxXaVJ67U8ycZExE8CwJOmEFPkwp8+YWA4PcyWFfgFuOYxmHh7HZXdJ8GtqNkTGH9CZ0nYJY7MQO6descVZ3S6KjKlJgUMxevjXcMzEBv8UwNWwr4BVUq/N5Za0xA0q0+MeeoiSVFemaLWq8/PYw9wBQVcLsRt7sd4lw79pRnnGCGWx8U4WJAZ3+wqhdtqkr6yurrWsNjk6HNy/AmsCQDQT+q9sUmHCXDpuzsZQczHUZ0UYYu8ZVa7tWaabCS0sDyHXL3CFgJ16WPqwEehnP8AhByM44qGYWlV2IqSlNND0z0j8X2R/006d1v2s+KSrGd9WiDYN7C2wG6aSSh6A==",
    ),
    (
        "ctpkcs1",
        "Kx4IO8C42cNl2GS0hBmLuNq3d2gBpzhD5I9GALBNW/PfO6GBZBZY6lo6YuRmmfeflDBwPxuvvAwQT2Bajgs1UpueNQ0gMA4RBtSxWrlwT6ob82srZqdT7+b3fxjpHqYtrNeOsESQ+l4vZD5shYYo13Jw3Gpgf/w/66yx1KyoiccMZstaiy0agigeiMsN3cWYN0bvmk81LG60U5EwcWzhEhiczqGa4NpiSp/B9eJ3HYjlZ3G2J/Ne3skiBOyXoyImxtJtnxNK6pFXIEx79k3p+eh0X2GVN3ZRBOvTiZlkQ0sWp4cS5XTdPTbJmaZiNRC0XGeWEGp6J4vD0x+59Gpkfw==",
    ),
    ("pw", "pw"),
    ("longpw", "a-very-long-password-longer-than-32-bytes!!"),
    ("nopem", "nope"),
    ("aes1", "rcIF/UaG1TfZb9n5rSkFNh6wCIWQkrQl+XkdNeuIiOU="),
    ("aes2", "WIXkL6AqByzKVxh7StHlEcyyjU+rSBpkAE/Rgin2RwA="),
    ("aes3", ""),
    (
        "aes4",
        "PYFx9zSqaV6Bp0uUnzIadz+7PbXaQigNCIrKy2shWYpG+8fxWDQ9d6aIjf/Z/eI7",
    ),
    ("aes5", "yUfSlnihCCrVhuXOER0bSNi4N0J3xERFDImGWaWRJiM="),
    ("empty", ""),
];
