"""Drop-in reward functions for trainers. Each host lives in its own module and imports nothing heavy:
``trl`` (GRPOTrainer reward_funcs), ``verl`` (custom_reward_function), ``openrlhf`` (remote reward)."""
