def explode(mapping):
    return mapping["missing"]
