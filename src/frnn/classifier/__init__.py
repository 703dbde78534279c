"""RNNClassifier: the scikit-learn estimator, its parameter rules and its data preparation."""
