"""Thin wrapper so that runs without wandb still work."""
try:
    import wandb
except ImportError:
    wandb = None


def log(metrics):
    if wandb is not None:
        wandb.log(metrics)
