"""The compose rehearsal: deploy/docker-compose.yml's services as local processes (stack.py),
read from the file itself (compose.py)."""
