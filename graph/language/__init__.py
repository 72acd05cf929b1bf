"""Language work: the statistical English pipeline, the claim reader (``extract``) and the question reader (``ask``)."""
