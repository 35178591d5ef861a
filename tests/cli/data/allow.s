; allow everything
ret #RET_ALLOW
