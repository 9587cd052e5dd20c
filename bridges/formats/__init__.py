"""The portal's own date and number formats (FORMAT_MODULE_PATH), where Django's for a language lack
one; everything not set here is Django's."""
