count = { $n } items
farewell = Goodbye
unused = Not used
empty =
    .title = Attribute only
