"""What the network read: the verdict, the probabilities, the number strip."""
