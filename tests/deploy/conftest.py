"""Fixtures of the deploy tests; they live in deploy_env.py so test modules can import its helpers."""
from deploy_env import airflow, broker, stand_in_api  # noqa: F401
