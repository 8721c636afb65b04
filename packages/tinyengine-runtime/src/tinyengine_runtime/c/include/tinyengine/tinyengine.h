/*
 * tinyengine-runtime: umbrella header, one include per operator family.
 */
#ifndef TINYENGINE_TINYENGINE_H
#define TINYENGINE_TINYENGINE_H

#include "tinyengine/te_types.h"

#include "tinyengine/te_conv.h"
#include "tinyengine/te_depthwise.h"
#include "tinyengine/te_fully_connected.h"

#include "tinyengine/te_activations.h"
#include "tinyengine/te_elementwise.h"
#include "tinyengine/te_pooling.h"
#include "tinyengine/te_quantize.h"
#include "tinyengine/te_reshape.h"
#include "tinyengine/te_resize.h"
#include "tinyengine/te_softmax.h"

#endif /* TINYENGINE_TINYENGINE_H */
