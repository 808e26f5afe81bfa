"""mlp: multilayer perceptrons, backpropagation and gradient descent in numpy."""
from . import activations, data, init, losses, optimizers, schedules
from .clipping import clip_grad_norm
from .gradcheck import finite_difference_tolerance, gradcheck
from .network import MLP
from .train import train
