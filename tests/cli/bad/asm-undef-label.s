ld [0]
jeq #1, yes, no
yes: ret #0x7fff0000
