#pragma once
// The data module: CSV data frames, preprocessing, splits, datasets and loaders.
#include "soma/data/column.hpp"
#include "soma/data/csv.hpp"
#include "soma/data/dataset.hpp"
#include "soma/data/encode.hpp"
#include "soma/data/fashion_mnist.hpp"
#include "soma/data/frame.hpp"
#include "soma/data/idx.hpp"
#include "soma/data/loader.hpp"
#include "soma/data/pipeline.hpp"
#include "soma/data/scaler.hpp"
#include "soma/data/split.hpp"
