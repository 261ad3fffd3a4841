"""Bad company-profile input shared by the sign-up and the edit tests: (form changes, field errors)."""

BAD_PROFILE = {
    "name-201-chars": ({"name": "N" * 201}, {"name": ["Field cannot be longer than 200 characters."]}),
    "offers-2001-chars": ({"offers": "o" * 2001}, {"offers": ["Field cannot be longer than 2000 characters."]}),
    "delegation-not-a-number": ({"delegation": "abc"}, {"delegation": ["Choose your delegation."]}),
    "delegation-unknown-id": ({"delegation": "999999"}, {"delegation": ["Not a valid choice."]}),
    "delegation-zero": ({"delegation": "0"}, {"delegation": ["Choose your delegation."]}),
    "sector-not-a-number": (
        {"sectors": ["xyz"]},
        {"sectors": ["Invalid choice(s): one or more data inputs could not be coerced.",
                     "Choose at least one sector."]},
    ),
    "sector-unknown-id": ({"sectors": ["999999"]}, {"sectors": ["'999999' is not a valid choice for this field."]}),
    "no-sector": ({"sectors": None}, {"sectors": ["Choose at least one sector."]}),
    "size-unknown": ({"size": "huge"}, {"size": ["Not a valid choice."]}),
    "language-unknown": ({"languages": ["xx"]}, {"languages": ["'xx' is not a valid choice for this field."]}),
    "neither-offers-nor-needs": (
        {"offers": "  ", "needs": "\x00 "}, {"needs": ["Say what you offer, what you are looking for, or both."]},
    ),
    "contact-email-invalid": ({"contact_email": "sales at dala"},
                              {"contact_email": ["“sales at dala” is not a valid e-mail address."]}),
    "contact-email-half": ({"contact_email": "sales@"}, {"contact_email": ["“sales@” is not a valid e-mail address."]}),
    "website-invalid": ({"website": "not a website"}, {"website": ["Enter a website address such as example.kz."]}),
    "website-ftp": ({"website": "ftp://dala-milk.kz"}, {"website": ["Enter a website address such as example.kz."]}),
    "website-javascript": ({"website": "javascript:alert(1)"},
                           {"website": ["Enter a website address such as example.kz."]}),
    "website-too-long-once-completed": ({"website": "a" * 246 + ".com"},
                                        {"website": ["Website is too long: 258 characters, at most 255."]}),
    "phone-letters": ({"contact_phone": "call me"},
                      {"contact_phone": ["Enter a phone number with digits, spaces and an optional leading +."]}),
}
