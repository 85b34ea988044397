"""Pure domain rules: no database, no web, no clock reads.

Everything here takes facts and `now` as arguments and returns values, so that each rule can be
tested by table and by property without any I/O.
"""
